"""Campaign components identical in V1 and V5: audience, triggers, schedule, goals."""

from __future__ import annotations

from typing import Any

from ._base import UNSET, Model, Platform, UnsetType

__all__ = [
    "ActionExecution",
    "ActionFilter",
    "AndroidPlatformDetails",
    "AndroidPriority",
    "BtsDetails",
    "Connector",
    "ControlGroupDetails",
    "ConversionGoalDetails",
    "CustomSegmentFilter",
    "DateRange",
    "EmailDeliveryControls",
    "EmailTriggerCondition",
    "ExpirationSettings",
    "Filter",
    "FilterGroup",
    "Geofence",
    "Goal",
    "GoalEventAttribute",
    "IntelligentDelayOptimization",
    "IosPlatformDetails",
    "KeyValuePair",
    "MonthlyWeekRepeat",
    "PeriodicDetails",
    "PersonalizationDetails",
    "PlatformSpecificDetails",
    "PushBasicDetails",
    "PushDeliveryControls",
    "PushTriggerCondition",
    "ReachabilityDetails",
    "SchedulingDetailsBase",
    "SegmentationDetails",
    "TestResult",
    "UserAttributeFilter",
    "UserTimezoneDetails",
    "UtmParams",
]


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
