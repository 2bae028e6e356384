"""Shapes and closed sets that are identical in V1 and V5, plus the wire helpers.

``models.v1`` and ``models.v5`` build on these and never import each other. Where the
generations differ (variation metrics, iOS interruption levels, audience limits, test
metadata, search filters) each version keeps its own struct.

Deep enum-like fields (template types, click actions, granularities...) are typed
``str``: the specs spell them inconsistently (``manual`` vs ``MANUAL``, ``Custom``),
responses echo values outside the documented sets, and a typo is caught by the
server (or the sandbox) anyway. The enums below are offered for them as constants:
``SchedulingType.ASAP`` is a ``str`` and encodes as ``"ASAP"``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, TypeVar

import msgspec
from msgspec import UNSET, UnsetType

__all__ = [
    "ActionExecution",
    "ActionFilter",
    "AndroidAdvanced",
    "AndroidBasicDetails",
    "AndroidButton",
    "AndroidPlatformDetails",
    "AndroidPriority",
    "AndroidPushContent",
    "AndroidTemplateBackup",
    "AndroidTimer",
    "BtsDetails",
    "CampaignDeliveryType",
    "CarouselContent",
    "CarouselSlide",
    "Channel",
    "Connector",
    "ContentType",
    "ControlGroupDetails",
    "ConversionGoalDetails",
    "CustomSegmentFilter",
    "DateRange",
    "EmailAttachment",
    "EmailContentBase",
    "EmailDeliveryControls",
    "EmailTriggerCondition",
    "ExpirationSettings",
    "Filter",
    "FilterGroup",
    "Geofence",
    "Goal",
    "GoalEventAttribute",
    "IntelligentDelayOptimization",
    "IosAdvanced",
    "IosBasicDetails",
    "IosButton",
    "IosCarouselContent",
    "IosPlatformDetails",
    "IosPushContent",
    "IosTemplateBackup",
    "KeyValuePair",
    "Model",
    "MonthlyWeekRepeat",
    "PeriodicDetails",
    "PersonalizationDetails",
    "Platform",
    "PlatformSpecificDetails",
    "PushBasicDetails",
    "PushContent",
    "PushDeliveryControls",
    "PushTriggerCondition",
    "ReachabilityDetails",
    "SchedulingDetailsBase",
    "SchedulingType",
    "SegmentationDetails",
    "StatusAction",
    "TestResult",
    "UNSET",
    "UnsetType",
    "UserAttributeFilter",
    "UserTimezoneDetails",
    "UtmParams",
    "WebAdvanced",
    "WebBasicDetails",
    "WebButton",
    "WebPushContent",
    "parse_enum",
    "to_wire",
]

E = TypeVar("E", bound=enum.Enum)


class Model(msgspec.Struct, kw_only=True, frozen=True, omit_defaults=True):
    """Base of every wire model: keyword-only, frozen, unset fields left out.

    Optional fields default to ``UNSET``: "not sent" differs from "send null".
    Unknown fields in decoded JSON are ignored, so the server may add new ones.
    """


# -- closed sets -----------------------------------------------------------------------


class StatusAction(str, enum.Enum):
    """The status transitions MoEngage accepts (publish is separate, V5 only)."""

    STOP = "STOP"
    PAUSE = "PAUSE"
    RESUME = "RESUME"


class Channel(str, enum.Enum):
    """Channels a campaign can be created, updated or tested on."""

    PUSH = "PUSH"
    EMAIL = "EMAIL"


class CampaignDeliveryType(str, enum.Enum):
    """How a campaign is triggered (Email allows only the first four)."""

    ONE_TIME = "ONE_TIME"
    PERIODIC = "PERIODIC"
    EVENT_TRIGGERED = "EVENT_TRIGGERED"
    BUSINESS_EVENT_TRIGGERED = "BUSINESS_EVENT_TRIGGERED"
    DEVICE_TRIGGERED = "DEVICE_TRIGGERED"
    LOCATION_TRIGGERED = "LOCATION_TRIGGERED"
    BROADCAST_LIVE_ACTIVITY = "BROADCAST_LIVE_ACTIVITY"


class Platform(str, enum.Enum):
    """Push platforms."""

    ANDROID = "ANDROID"
    IOS = "IOS"
    WEB = "WEB"


class SchedulingType(str, enum.Enum):
    """``scheduling_details.delivery_type`` values a request may use."""

    ASAP = "ASAP"
    AT_FIXED_TIME = "AT_FIXED_TIME"
    SEND_IN_BTS = "SEND_IN_BTS"
    SEND_IN_USER_TIMEZONE = "SEND_IN_USER_TIMEZONE"


class ContentType(str, enum.Enum):
    """Email content type; ``PROMOTIONAL`` needs a ``subscription_category``."""

    PROMOTIONAL = "PROMOTIONAL"
    TRANSACTIONAL = "TRANSACTIONAL"


def parse_enum(cls: type[E], value: str | None) -> E | str | None:
    """Return ``value`` as a member of ``cls`` (case-insensitive), else unchanged.

    Responses keep enum-like fields as ``str`` so an unexpected value (V1 examples
    answer ``"Active"``) never breaks decoding; this helper upgrades them on demand.
    """
    if value is None:
        return None
    wanted = value.strip().upper().replace(" ", "_")
    for member in cls:
        if str(member.value).upper().replace(" ", "_") == wanted:
            return member
    return value


def to_wire(
    payload: msgspec.Struct | Mapping[str, Any], **fields: Any
) -> dict[str, Any]:
    """Return a request body as plain JSON-ready builtins.

    ``payload`` is one of our models or a plain mapping (the escape hatch for fields
    the models do not know). A model's ``extra`` mapping, when it has one, is merged
    in deeply; ``fields`` set top-level keys last (e.g. ``request_id``).
    """
    if isinstance(payload, msgspec.Struct):
        body: dict[str, Any] = msgspec.to_builtins(payload)
        extra = getattr(payload, "extra", UNSET)
        body.pop("extra", None)
        if extra is not UNSET and extra:
            _merge(body, extra)
    elif isinstance(payload, Mapping):
        body = dict(payload)
    else:
        raise TypeError(f"expected a model or a mapping, got {type(payload).__name__}")
    body.update(fields)
    return body


def _merge(into: dict[str, Any], extra: Mapping[str, Any]) -> None:
    for key, value in extra.items():
        current = into.get(key)
        if isinstance(current, dict) and isinstance(value, Mapping):
            _merge(current, value)
        else:
            into[key] = msgspec.to_builtins(value)


# -- small shared pieces ---------------------------------------------------------------


class KeyValuePair(Model, frozen=True, kw_only=True):
    """A custom key/value sent with a push."""

    key: str
    value: str


class DateRange(Model, frozen=True, kw_only=True):
    """``created_date`` filter: both ends required when the object is sent."""

    from_date: str
    to_date: str


class PersonalizationDetails(Model, frozen=True, kw_only=True):
    """Attribute values used to render personalised test content."""

    user_attributes: dict[str, Any] | UnsetType = UNSET
    event_attributes: dict[str, Any] | UnsetType = UNSET


class Connector(Model, frozen=True, kw_only=True):
    """Email service provider (V5 documents a closed set; kept open here)."""

    connector_type: str
    connector_name: str


class TestResult(Model, frozen=True, kw_only=True):
    """Test outcome: V1 ``success``/``failed``, V5 ``SENT``/``FAILED``."""

    status: str
    failure_reason: str | UnsetType | None = UNSET


class ReachabilityDetails(Model, frozen=True, kw_only=True):
    """Estimated audience; recomputed daily, only for some delivery types."""

    count: int | None = None
    last_updated_time: str | None = None


# -- basic details ---------------------------------------------------------------------


class Geofence(Model, frozen=True, kw_only=True):
    """A location trigger (Location-triggered Push)."""

    name: str | UnsetType = UNSET
    latitude: str | UnsetType = UNSET
    longitude: str | UnsetType = UNSET
    radius: str | UnsetType = UNSET
    dwell_time_value: str | UnsetType = UNSET
    dwell_time_granularity: str | UnsetType = UNSET
    response_time_value: str | UnsetType = UNSET
    response_time_granularity: str | UnsetType = UNSET
    triggered_at: str | UnsetType = UNSET


class AndroidPlatformDetails(Model, frozen=True, kw_only=True):
    """Android-only campaign switches."""

    push_amp_plus_enabled: bool | UnsetType = UNSET


class IosPlatformDetails(Model, frozen=True, kw_only=True):
    """iOS-only campaign switches (provisional push)."""

    send_to_all_eligible_device: bool | UnsetType = UNSET
    exclude_provisional_push_devices: bool | UnsetType = UNSET
    send_to_only_provisional_push_enabled_devices: bool | UnsetType = UNSET


class PlatformSpecificDetails(Model, frozen=True, kw_only=True):
    """Per-platform switches of a Push campaign."""

    android: AndroidPlatformDetails | UnsetType = UNSET
    ios: IosPlatformDetails | UnsetType = UNSET


class PushBasicDetails(Model, frozen=True, kw_only=True):
    """``basic_details`` of a Push campaign (V1 requires name, platforms, details)."""

    name: str | UnsetType = UNSET
    business_event: str | UnsetType = UNSET
    tags: list[str] | UnsetType = UNSET
    team: str | UnsetType = UNSET
    platforms: list[Platform] | UnsetType = UNSET
    broadcast_live_activity_id: str | UnsetType = UNSET
    geofences: Geofence | list[Geofence] | UnsetType = UNSET
    send_to_triggered_platform_only: bool | UnsetType = UNSET
    platform_specific_details: PlatformSpecificDetails | UnsetType = UNSET


# -- segmentation and triggers ---------------------------------------------------------


class UserAttributeFilter(
    Model, frozen=True, kw_only=True, tag_field="filter_type", tag="user_attributes"
):
    """Filter on a user attribute (``is_dynamic_value`` is documented by V5 only)."""

    data_type: str
    name: str
    operator: str
    category: str | UnsetType = UNSET
    value: Any = UNSET
    value1: Any = UNSET
    case_sensitive: bool | UnsetType = UNSET
    negate: bool | UnsetType = UNSET
    is_dynamic_value: bool | UnsetType = UNSET
    project_name: str | UnsetType = UNSET


class ActionExecution(Model, frozen=True, kw_only=True):
    """How often an action must have happened."""

    type: str | UnsetType = UNSET
    count: int | UnsetType = UNSET


class ActionFilter(
    Model, frozen=True, kw_only=True, tag_field="filter_type", tag="actions"
):
    """Filter on an event the user did (or did not) perform."""

    action_name: str
    execution: ActionExecution | UnsetType = UNSET
    executed: bool | UnsetType = UNSET
    attributes: FilterGroup | UnsetType = UNSET
    condition: str | UnsetType = UNSET
    primary_time_range: dict[str, Any] | UnsetType = UNSET


class CustomSegmentFilter(
    Model, frozen=True, kw_only=True, tag_field="filter_type", tag="custom_segments"
):
    """Filter on a saved custom segment."""

    id: str
    name: str | UnsetType = UNSET


Filter = UserAttributeFilter | ActionFilter | CustomSegmentFilter


class FilterGroup(Model, frozen=True, kw_only=True):
    """Filters joined by ``and``/``or``; tagged on each filter's ``filter_type``."""

    filter_operator: str
    filters: list[Filter]


class SegmentationDetails(Model, frozen=True, kw_only=True):
    """Who receives the campaign."""

    included_filters: FilterGroup | UnsetType = UNSET
    excluded_filters: FilterGroup | UnsetType = UNSET
    is_all_user_campaign: bool | UnsetType = UNSET
    send_campaign_to_opt_out_users: bool | UnsetType = UNSET


class IntelligentDelayOptimization(Model, frozen=True, kw_only=True):
    """Bounds of Sherpa's intelligent delay (Push only)."""

    min_delay_value: int | UnsetType = UNSET
    min_delay_granularity: str | UnsetType = UNSET
    max_delay_value: int | UnsetType = UNSET
    max_delay_granularity: str | UnsetType = UNSET


class EmailTriggerCondition(Model, frozen=True, kw_only=True):
    """Event-triggered Email trigger (``trigger_attr``: object in V1, str in V5)."""

    included_filters: FilterGroup | UnsetType = UNSET
    secondary_included_filters: FilterGroup | UnsetType = UNSET
    trigger_delay_type: str | UnsetType = UNSET
    trigger_delay_value: int | UnsetType = UNSET
    trigger_delay_granularity: str | UnsetType = UNSET
    trigger_relation: str | UnsetType = UNSET
    trigger_attr: Any = UNSET


class PushTriggerCondition(EmailTriggerCondition, frozen=True, kw_only=True):
    """Trigger of an Event-triggered Push; adds ``INTELLIGENT_DELAY``."""

    intelligent_delay_optimization: IntelligentDelayOptimization | UnsetType = UNSET


# -- scheduling and delivery -----------------------------------------------------------


class MonthlyWeekRepeat(Model, frozen=True, kw_only=True):
    """Monthly repetition on given weekdays of a given week."""

    week_granularity: str | UnsetType = UNSET
    repeat_on_days_of_week: list[str] | UnsetType = UNSET


class PeriodicDetails(Model, frozen=True, kw_only=True):
    """Recurrence of a Periodic campaign."""

    sending_frequency: str | UnsetType = UNSET
    repeat_frequency: int | UnsetType = UNSET
    no_of_occurences: int | UnsetType = UNSET
    repeat_on_date_of_month: list[int] | UnsetType = UNSET
    repeat_on_days_of_week: list[str] | UnsetType = UNSET
    repeat_on_days_of_week_for_month: list[MonthlyWeekRepeat] | UnsetType = UNSET


class BtsDetails(Model, frozen=True, kw_only=True):
    """Send in Best Time to Send."""

    send_in_bts: bool | UnsetType = UNSET
    if_user_bts_is_not_available: str | UnsetType = UNSET
    if_user_bts_outside_time_window: str | UnsetType = UNSET
    window_end_time: str | UnsetType = UNSET


class UserTimezoneDetails(Model, frozen=True, kw_only=True):
    """Send in each user's time zone."""

    send_in_user_timezone: bool | UnsetType = UNSET
    send_if_user_timezone_has_passed: bool | UnsetType = UNSET


class SchedulingDetailsBase(Model, frozen=True, kw_only=True):
    """When to send; times are strings as the API writes them (UTC in V1)."""

    delivery_type: str | UnsetType = UNSET
    start_time: str | UnsetType = UNSET
    expiry_time: str | UnsetType = UNSET
    periodic_details: PeriodicDetails | UnsetType = UNSET
    bts_details: BtsDetails | UnsetType = UNSET
    user_timezone_details: UserTimezoneDetails | UnsetType = UNSET


class EmailDeliveryControls(Model, frozen=True, kw_only=True):
    """Throttling and frequency capping of an Email campaign."""

    bypass_dnd: bool | UnsetType = UNSET
    campaign_throttle_rpm: int | UnsetType = UNSET
    count_for_frequency_capping: bool | UnsetType = UNSET
    ignore_frequency_capping: bool | UnsetType = UNSET
    minimum_delay_between_two_notification_in_hour: int | UnsetType = UNSET


class PushDeliveryControls(EmailDeliveryControls, frozen=True, kw_only=True):
    """Push delivery controls; the last three fields are documented by V5 only."""

    max_time_to_show_message_of_same_camapign: str | UnsetType = UNSET
    expiry_time_of_sync_data_in_hour: str | UnsetType = UNSET
    send_message_in_offline_mode: bool | UnsetType = UNSET
    send_limit_value: str | UnsetType = UNSET
    send_limit_granularity_in_hours: str | UnsetType = UNSET
    ignore_global_minimum_delay: bool | UnsetType = UNSET
    queuing_enabled: bool | UnsetType = UNSET
    queue_duration: int | UnsetType = UNSET


class ExpirationSettings(Model, frozen=True, kw_only=True):
    """When a push expires and leaves the inbox."""

    expire_notification_after_value: int | UnsetType = UNSET
    expire_notification_after_type: str | UnsetType = UNSET
    remove_from_inbox_after_value: int | UnsetType = UNSET
    remove_from_inbox_after_type: str | UnsetType = UNSET


class AndroidPriority(Model, frozen=True, kw_only=True):
    """Android delivery priority."""

    send_with_priority: bool | UnsetType = UNSET


# -- goals, control groups, UTM --------------------------------------------------------


class GoalEventAttribute(Model, frozen=True, kw_only=True):
    """Attribute condition of a conversion goal event."""

    name: str | UnsetType = UNSET
    condition: str | UnsetType = UNSET
    data_type: str | UnsetType = UNSET
    value: Any = UNSET
    value1: Any = UNSET
    negate: bool | UnsetType = UNSET
    value_type: str | UnsetType = UNSET
    array_filter_type: str | UnsetType = UNSET
    filters: list[dict[str, Any]] | UnsetType = UNSET
    is_case_sensitive: bool | UnsetType = UNSET


class Goal(Model, frozen=True, kw_only=True):
    """One conversion goal."""

    goal_name: str | UnsetType = UNSET
    goal_event_name: str | UnsetType = UNSET
    goal_event_attribute: GoalEventAttribute | UnsetType = UNSET
    is_primary_goal: bool | UnsetType = UNSET
    revenue_attribute: str | UnsetType = UNSET
    revenue_currency: str | UnsetType = UNSET


class ConversionGoalDetails(Model, frozen=True, kw_only=True):
    """Conversion tracking."""

    attribution_window_in_hours: int | UnsetType = UNSET
    goals: list[Goal] | UnsetType = UNSET


class ControlGroupDetails(Model, frozen=True, kw_only=True):
    """Campaign and global control groups."""

    is_campaign_control_group_enabled: bool | UnsetType = UNSET
    campaign_control_group_percentage: int | UnsetType = UNSET
    is_global_control_group_enabled: bool | UnsetType = UNSET


class UtmParams(Model, frozen=True, kw_only=True):
    """UTM tags appended to links (V1 requires source and medium).

    V5 also accepts custom ``utm_*`` keys: send those through ``extra``.
    """

    utm_source: str | UnsetType = UNSET
    utm_medium: str | UnsetType = UNSET
    utm_campaign: str | UnsetType = UNSET
    utm_term: str | UnsetType = UNSET
    utm_content: str | UnsetType = UNSET
    utm_custom: str | UnsetType = UNSET


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
