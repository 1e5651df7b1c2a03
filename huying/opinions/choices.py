"""Choices of the opinion-report workflow (社情民意), with the official Chinese terms as translations."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    ECONOMY = "economy", _("Economy")
    LIVELIHOOD = "livelihood", _("People's livelihood")
    SOCIETY = "society", _("Social governance")
    ENVIRONMENT = "environment", _("Ecology and environment")
    EDUCATION = "education", _("Education")
    HEALTH = "health", _("Health care")
    CULTURE = "culture", _("Culture")
    LAW = "law", _("Politics and law")
    AGRICULTURE = "agriculture", _("Agriculture and rural affairs")
    OTHER = "other", _("Other")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RECEIVED = "received", _("Received by the office")
    EDITED = "edited", _("Edited")
    ADOPTED = "adopted", _("Adopted")
    REJECTED = "rejected", _("Not adopted")
    MERGED = "merged", _("Combined into another")


class SubmitterKind(models.TextChoices):
    MEMBER = "member", _("Individual member")
    COLLECTIVE = "collective", _("Collective")
    COMBINED = "combined", _("Combined report")


class CollectiveKind(models.TextChoices):
    SECTOR_GROUP = "sector_group", _("Sector group")
    SPECIAL_COMMITTEE = "special_committee", _("Special committee")
    CPPCC = "cppcc", _("City or county CPPCC")


class AdoptionLevel(models.TextChoices):
    DISTRICT = "district", _("District level")
    CITY = "city", _("City level")
    PROVINCE = "province", _("Province level")
    NATIONAL = "national", _("National level")


class EditResponse(models.TextChoices):
    PENDING = "pending", _("Awaiting the author")
    AGREED = "agreed", _("Agreed")
    COMMENTED = "commented", _("Commented")


class HandlingStatus(models.TextChoices):
    NONE = "none", _("Not assigned")
    HANDLING = "handling", _("Being handled")
    RETURNED = "returned", _("Returned by the unit")
    REPLIED = "replied", _("Replied")
    CLOSED = "closed", _("Handling closed")


class IssueStatus(models.TextChoices):
    DRAFT = "draft", _("Being compiled")
    PUBLISHED = "published", _("Sent")


class EventKind(models.TextChoices):
    CREATED = "created", _("Draft created")
    SUBMITTED = "submitted", _("Submitted")
    RECEIVED = "received", _("Received by the office")
    EDITED = "edited", _("Edited by the information office")
    EDIT_AGREED = "edit_agreed", _("Author agreed to the edit")
    EDIT_COMMENTED = "edit_commented", _("Author commented on the edit")
    REJECTED = "rejected", _("Not adopted")
    MERGED = "merged", _("Merged into a combined report")
    COMBINED = "combined", _("Combined report compiled")
    ADOPTED = "adopted", _("Adopted")
    FORWARDED = "forwarded", _("Forwarded to the CPPCC above")
    IN_ISSUE = "in_issue", _("Published in an issue")
    INSTRUCTED = "instructed", _("Leader's instruction")
    HANDLING = "handling", _("Handling status changed")
