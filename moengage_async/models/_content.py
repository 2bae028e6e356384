"""Push (Android, iOS, Web) and email content shapes identical in V1 and V5."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._base import UNSET, Model, UnsetType
from ._shapes import KeyValuePair

__all__ = [
    "AndroidAdvanced",
    "AndroidBasicDetails",
    "AndroidButton",
    "AndroidPushContent",
    "AndroidTemplateBackup",
    "AndroidTimer",
    "CarouselContent",
    "CarouselSlide",
    "EmailAttachment",
    "EmailContentBase",
    "IosAdvanced",
    "IosBasicDetails",
    "IosButton",
    "IosCarouselContent",
    "IosPushContent",
    "IosTemplateBackup",
    "PushContent",
    "WebAdvanced",
    "WebBasicDetails",
    "WebButton",
    "WebPushContent",
    "check_localized",
]


# -- push content ----------------------------------------------------------------------


class CarouselSlide(Model, frozen=True, kw_only=True):
    """One carousel image."""

    image_url: str | UnsetType = UNSET
    image_click_action: str | UnsetType = UNSET
    image_click_action_value: str | UnsetType = UNSET
    key_value_pairs: list[KeyValuePair] | UnsetType = UNSET


class CarouselContent(Model, frozen=True, kw_only=True):
    """Android carousel (``slider_transition``: V1 ``manual``, V5 ``MANUAL``)."""

    slider_transition: str | UnsetType = UNSET
    slide_data: list[CarouselSlide] | UnsetType = UNSET


class IosCarouselContent(CarouselContent, frozen=True, kw_only=True):
    """iOS carousel."""


class AndroidBasicDetails(Model, frozen=True, kw_only=True):
    """Title, message, image and click action of an Android push."""

    notification_channel: str | UnsetType = UNSET
    include_app_name_and_time: bool | UnsetType = UNSET
    background_color_code: str | UnsetType = UNSET
    app_name_color_code: str | UnsetType = UNSET
    notification_control_color: str | UnsetType = UNSET
    include_title_and_message: bool | UnsetType = UNSET
    apply_background_color_in_text_editor: bool | UnsetType = UNSET
    title: str | UnsetType = UNSET
    message: str | UnsetType = UNSET
    summary: str | UnsetType = UNSET
    image_url: str | UnsetType = UNSET
    image_scaling: str | UnsetType = UNSET
    banner_image_url: str | UnsetType = UNSET
    input_gif_url: str | UnsetType = UNSET
    collapsed_push_notification: str | UnsetType = UNSET
    carousel_content: CarouselContent | UnsetType = UNSET
    default_click_action: str | UnsetType = UNSET
    default_click_action_value: str | UnsetType = UNSET
    key_value_pairs: list[KeyValuePair] | UnsetType = UNSET


class AndroidTimer(Model, frozen=True, kw_only=True):
    """Countdown of a TIMER template."""

    timer_ends_at: str | UnsetType = UNSET
    specific_time: str | UnsetType = UNSET
    time_period: str | UnsetType = UNSET
    personalized_value: bool | UnsetType = UNSET
    duration_hour: str | UnsetType = UNSET
    duration_minute: str | UnsetType = UNSET


class AndroidButton(Model, frozen=True, kw_only=True):
    """An action button of an Android push."""

    btn_name: str | UnsetType = UNSET
    click_action_type: str | UnsetType = UNSET
    click_action_name: str | UnsetType = UNSET
    click_action_value: str | UnsetType = UNSET
    key_value_pairs: list[KeyValuePair] | UnsetType = UNSET


class AndroidAdvanced(Model, frozen=True, kw_only=True):
    """Advanced Android notification options."""

    coupon_code: str | UnsetType = UNSET
    icon_type_in_notification: str | UnsetType = UNSET
    use_large_icon: bool | UnsetType = UNSET
    make_notification_sticky: bool | UnsetType = UNSET
    dismiss_button_text: str | UnsetType = UNSET
    auto_dismiss_notification: bool | UnsetType = UNSET
    auto_dismiss_notification_time_value: int | UnsetType = UNSET
    auto_dismiss_notification_time_granularity: str | UnsetType = UNSET
    group_key: str | UnsetType = UNSET
    collapse_replace_key: str | UnsetType = UNSET


class AndroidTemplateBackup(Model, frozen=True, kw_only=True):
    """Fallback content for devices that cannot render a rich template."""

    title: str | UnsetType = UNSET
    message: str | UnsetType = UNSET
    summary: str | UnsetType = UNSET
    image_url: str | UnsetType = UNSET
    default_click_action: str | UnsetType = UNSET
    default_click_action_value: str | UnsetType = UNSET
    key_value_pairs: list[KeyValuePair] | UnsetType = UNSET


class AndroidPushContent(Model, frozen=True, kw_only=True):
    """Android payload; ``template_type`` ``Custom`` needs ``custom_template_id``."""

    template_type: str | UnsetType = UNSET
    custom_template_id: str | UnsetType = UNSET
    custom_template_version: int | UnsetType = UNSET
    basic_details: AndroidBasicDetails | UnsetType = UNSET
    timer: AndroidTimer | UnsetType = UNSET
    buttons: list[AndroidButton] | UnsetType = UNSET
    advanced: AndroidAdvanced | UnsetType = UNSET
    template_backup: AndroidTemplateBackup | UnsetType = UNSET


class IosBasicDetails(Model, frozen=True, kw_only=True):
    """Title, message, rich media and click action of an iOS push."""

    background_color_code: str | UnsetType = UNSET
    apply_background_color_in_text_editor: bool | UnsetType = UNSET
    title: str | UnsetType = UNSET
    message: str | UnsetType = UNSET
    subtitle: str | UnsetType = UNSET
    allow_bg_refresh: bool | UnsetType = UNSET
    rich_media_type: str | UnsetType = UNSET
    rich_media_value: str | UnsetType = UNSET
    image_url: str | UnsetType = UNSET
    input_gif_url: str | UnsetType = UNSET
    carousel_content: IosCarouselContent | UnsetType = UNSET
    default_click_action: str | UnsetType = UNSET
    default_click_action_value: str | UnsetType = UNSET
    key_value_pairs: list[KeyValuePair] | UnsetType = UNSET


class IosButton(Model, frozen=True, kw_only=True):
    """An iOS action-button category."""

    button_category: str


class IosAdvanced(Model, frozen=True, kw_only=True):
    """Advanced iOS notification options."""

    coupon_code: str | UnsetType = UNSET
    sound_file: str | UnsetType = UNSET
    enable_ios_badge: bool | UnsetType = UNSET
    group_key: str | UnsetType = UNSET
    collapse_replace_key: str | UnsetType = UNSET


class IosTemplateBackup(Model, frozen=True, kw_only=True):
    """Fallback content for iOS devices that cannot render a rich template."""

    title: str | UnsetType = UNSET
    message: str | UnsetType = UNSET
    subtitle: str | UnsetType = UNSET
    allow_bg_refresh: bool | UnsetType = UNSET
    rich_media_type: str | UnsetType = UNSET
    rich_media_value: str | UnsetType = UNSET
    default_click_action: str | UnsetType = UNSET
    default_click_action_value: str | UnsetType = UNSET
    key_value_pairs: list[KeyValuePair] | UnsetType = UNSET


class IosPushContent(Model, frozen=True, kw_only=True):
    """iOS payload."""

    template_type: str | UnsetType = UNSET
    custom_template_id: str | UnsetType = UNSET
    custom_template_version: int | UnsetType = UNSET
    basic_details: IosBasicDetails | UnsetType = UNSET
    buttons: list[IosButton] | UnsetType = UNSET
    advanced: IosAdvanced | UnsetType = UNSET
    template_backup: IosTemplateBackup | UnsetType = UNSET


class WebBasicDetails(Model, frozen=True, kw_only=True):
    """Title, message and target of a web push."""

    title: str | UnsetType = UNSET
    message: str | UnsetType = UNSET
    redirect_url: str | UnsetType = UNSET
    image_url: str | UnsetType = UNSET
    auto_dismiss_notification: bool | UnsetType = UNSET


class WebButton(Model, frozen=True, kw_only=True):
    """A web push button."""

    title: str
    icon_url: str | UnsetType = UNSET
    url: str | UnsetType = UNSET


class WebAdvanced(Model, frozen=True, kw_only=True):
    """Web push icon."""

    icon_image_type: str | UnsetType = UNSET
    icon_url: str | UnsetType = UNSET


class WebPushContent(Model, frozen=True, kw_only=True):
    """Web payload (``template_type`` is ``BASIC``)."""

    template_type: str | UnsetType = UNSET
    basic_details: WebBasicDetails | UnsetType = UNSET
    buttons: list[WebButton] | UnsetType = UNSET
    advanced: WebAdvanced | UnsetType = UNSET


class PushContent(Model, frozen=True, kw_only=True):
    """One push variation: a payload per platform."""

    android: AndroidPushContent | UnsetType = UNSET
    ios: IosPushContent | UnsetType = UNSET
    web: WebPushContent | UnsetType = UNSET


# -- email content ---------------------------------------------------------------------


class EmailAttachment(Model, frozen=True, kw_only=True):
    """A file attached to an email."""

    file_type: str | UnsetType = UNSET
    url: str | UnsetType = UNSET


class EmailContentBase(Model, frozen=True, kw_only=True):
    """One email variation; ``html_content`` excludes ``custom_template_id``."""

    subject: str | UnsetType = UNSET
    preview_text: str | UnsetType = UNSET
    sender_name: str | UnsetType = UNSET
    from_address: str | UnsetType = UNSET
    reply_to_address: str | UnsetType = UNSET
    cc_ids: list[str] | UnsetType = UNSET
    bcc_ids: list[str] | UnsetType = UNSET
    html_content: str | UnsetType = UNSET
    email_editor: str | UnsetType = UNSET
    custom_template_id: str | UnsetType = UNSET
    custom_template_version: int | UnsetType = UNSET
    attachments: list[EmailAttachment] | UnsetType = UNSET


def check_localized(content: Mapping[str, Mapping[str, Any]]) -> None:
    """Refuse locale-keyed content without locales or a locale without variations."""
    if not content:
        raise ValueError("localized content needs at least one locale")
    for locale, variations in content.items():
        if not locale:
            raise ValueError("a locale key must not be empty")
        if not variations or not all(variations):
            raise ValueError(f"locale {locale!r} needs at least one named variation")
