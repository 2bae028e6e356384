"""Typed request and response models: ``models.v1`` and ``models.v5``.

Shapes identical in both generations (push content, filters, scheduling, goals...)
and the shared closed sets are importable from here; ``v1`` and ``v5`` hold what
differs (and the request/response bodies).

Escape hatch: every request model has ``extra: dict[str, Any]`` merged (deeply) into
the encoded body, and every client method also accepts a plain mapping instead of a
model, for fields these models do not know.
"""

from __future__ import annotations

from . import v1 as v1
from . import v5 as v5
from ._common import UNSET as UNSET
from ._common import ActionExecution as ActionExecution
from ._common import ActionFilter as ActionFilter
from ._common import AndroidAdvanced as AndroidAdvanced
from ._common import AndroidBasicDetails as AndroidBasicDetails
from ._common import AndroidButton as AndroidButton
from ._common import AndroidPlatformDetails as AndroidPlatformDetails
from ._common import AndroidPriority as AndroidPriority
from ._common import AndroidPushContent as AndroidPushContent
from ._common import AndroidTemplateBackup as AndroidTemplateBackup
from ._common import AndroidTimer as AndroidTimer
from ._common import BtsDetails as BtsDetails
from ._common import CampaignDeliveryType as CampaignDeliveryType
from ._common import CarouselContent as CarouselContent
from ._common import CarouselSlide as CarouselSlide
from ._common import Channel as Channel
from ._common import Connector as Connector
from ._common import ContentType as ContentType
from ._common import ControlGroupDetails as ControlGroupDetails
from ._common import ConversionGoalDetails as ConversionGoalDetails
from ._common import CustomSegmentFilter as CustomSegmentFilter
from ._common import DateRange as DateRange
from ._common import EmailAttachment as EmailAttachment
from ._common import EmailContentBase as EmailContentBase
from ._common import EmailDeliveryControls as EmailDeliveryControls
from ._common import EmailTriggerCondition as EmailTriggerCondition
from ._common import ExpirationSettings as ExpirationSettings
from ._common import Filter as Filter
from ._common import FilterGroup as FilterGroup
from ._common import Geofence as Geofence
from ._common import Goal as Goal
from ._common import GoalEventAttribute as GoalEventAttribute
from ._common import IntelligentDelayOptimization as IntelligentDelayOptimization
from ._common import IosAdvanced as IosAdvanced
from ._common import IosBasicDetails as IosBasicDetails
from ._common import IosButton as IosButton
from ._common import IosCarouselContent as IosCarouselContent
from ._common import IosPlatformDetails as IosPlatformDetails
from ._common import IosPushContent as IosPushContent
from ._common import IosTemplateBackup as IosTemplateBackup
from ._common import KeyValuePair as KeyValuePair
from ._common import Model as Model
from ._common import MonthlyWeekRepeat as MonthlyWeekRepeat
from ._common import PeriodicDetails as PeriodicDetails
from ._common import PersonalizationDetails as PersonalizationDetails
from ._common import Platform as Platform
from ._common import PlatformSpecificDetails as PlatformSpecificDetails
from ._common import PushBasicDetails as PushBasicDetails
from ._common import PushContent as PushContent
from ._common import PushDeliveryControls as PushDeliveryControls
from ._common import PushTriggerCondition as PushTriggerCondition
from ._common import ReachabilityDetails as ReachabilityDetails
from ._common import SchedulingDetailsBase as SchedulingDetailsBase
from ._common import SchedulingType as SchedulingType
from ._common import SegmentationDetails as SegmentationDetails
from ._common import StatusAction as StatusAction
from ._common import TestResult as TestResult
from ._common import UnsetType as UnsetType
from ._common import UserAttributeFilter as UserAttributeFilter
from ._common import UserTimezoneDetails as UserTimezoneDetails
from ._common import UtmParams as UtmParams
from ._common import WebAdvanced as WebAdvanced
from ._common import WebBasicDetails as WebBasicDetails
from ._common import WebButton as WebButton
from ._common import WebPushContent as WebPushContent
from ._common import parse_enum as parse_enum
from ._common import to_wire as to_wire

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
    "v1",
    "v5",
]
