"""Choices of the proposal workflow, with the official Chinese terms as translations."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ProposalKind(models.TextChoices):
    PLENARY = "plenary", _("Plenary-session proposal")
    ORDINARY = "ordinary", _("Ordinary-time proposal")


class SubmitterKind(models.TextChoices):
    MEMBER = "member", _("Individual member")
    JOINT = "joint", _("Joint (members)")
    COLLECTIVE = "collective", _("Collective")


class CollectiveKind(models.TextChoices):
    PARTY = "party", _("Party")
    PEOPLES_ORGANISATION = "peoples_organisation", _("People's organisation")
    SECTOR = "sector", _("Sector")
    SPECIAL_COMMITTEE = "special_committee", _("Special committee")
    MEMBER_GROUP = "member_group", _("Member group")


class Category(models.TextChoices):
    ECONOMY = "economy", _("Economic development")
    AGRICULTURE = "agriculture", _("Agriculture and rural affairs")
    ENVIRONMENT = "environment", _("Ecology and environment")
    EDUCATION = "education", _("Education")
    HEALTH = "health", _("Health care")
    CULTURE = "culture", _("Culture")
    SOCIAL = "social", _("Social development")
    LAW = "law", _("Politics and law")
    BAY_AREA = "bay_area", _("Guangdong-Hong Kong-Macao Greater Bay Area")
    OTHER = "other", _("Other")


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    FILED = "filed", _("Filed")
    REJECTED = "rejected", _("Not filed")
    MERGED = "merged", _("Merged")
    CONVERTED = "converted", _("Converted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class RejectReason(models.TextChoices):
    """The ten standard grounds for not filing a proposal (不予立案)."""

    STATE_SECRETS = "state_secrets", _("Involves state secrets")
    PROHIBITED = "prohibited", _("Contrary to the constitution, laws or policies")
    CPC_PERSONNEL = "cpc_personnel", _("Concerns personnel matters of the Communist Party")
    PARTY_INTERNAL = "party_internal", _("Concerns internal affairs of a party or organisation")
    LITIGATION = "litigation", _("Concerns litigation or arbitration")
    ACADEMIC = "academic", _("Purely academic discussion")
    PERSONAL = "personal", _("Concerns personal or family matters")
    PROMOTION = "promotion", _("Promotes products or businesses")
    ACCUSATION = "accusation", _("Accuses named people or units")
    EMPTY = "empty", _("No concrete content or suggestion")


class ConvertTarget(models.TextChoices):
    OPINION = "opinion", _("Opinion and suggestion")
    PUBLIC_OPINION = "public_opinion", _("Public-opinion report")


class CoSignStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")


class EventKind(models.TextChoices):
    CREATED = "created", _("Draft created")
    SUBMITTED = "submitted", _("Submitted")
    COSIGNER_DROPPED = "cosigner_dropped", _("Pending co-signer dropped")
    COSIGNER_INVITED = "cosigner_invited", _("Co-signer invited")
    COSIGNER_CONFIRMED = "cosigner_confirmed", _("Co-signer confirmed")
    COSIGNER_DECLINED = "cosigner_declined", _("Co-signer declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    FILED = "filed", _("Filed")
    REJECTED = "rejected", _("Not filed")
    MERGED = "merged", _("Merged")
    CONVERTED = "converted", _("Converted")


class ReplyClass(models.TextChoices):
    """The class of a handling unit's reply (答复类别)."""

    A = "A", _("A — solved or adopted")
    B = "B", _("B — included in plans")
    C = "C", _("C — kept for reference")


class ReplyStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting review")
    ACCEPTED = "accepted", pgettext_lazy("reply", "Accepted")
    RETURNED = "returned", _("Sent back")


class Publication(models.TextChoices):
    """Whether the proposal and its replies are shown in the public zone."""

    UNPUBLISHED = "unpublished", _("Not published")
    PUBLISHED = "published", _("Published")
    OBJECTED = "objected", _("Withheld at the proposer's request")
    RESTRICTED = "restricted", _("Withheld by staff")


class HandlingStatus(models.TextChoices):
    """Where a filed proposal stands in its handling (办理), kept in step by
    :mod:`huying.proposals.actions.handling`; the units' own progress is in the engine's
    assignments."""

    UNASSIGNED = "unassigned", _("Not yet assigned")
    ASSIGNED = "assigned", _("Being handled")
    REPLIED = "replied", _("Replied, awaiting rating")
    REHANDLING = "rehandling", _("Being handled again")
    COMPLETED = "completed", _("Handling completed")


class HandlingMode(models.TextChoices):
    """How a proposal is assigned (交办方式)."""

    SINGLE = "single", _("Single unit")
    SEPARATE = "separate", _("Separate answers")
    LEAD = "lead", _("Lead and co-handling units")


class HandlingEventKind(models.TextChoices):
    """Events of the handling shown in a proposal's history (the units' own steps are in the
    engine's timeline)."""

    ASSIGNED = "assigned", _("Assigned to handling units")
    ASSIGNMENT_CHANGED = "assignment_changed", _("Handling units changed")
    REPLY_ACCEPTED = "reply_accepted", _("Reply received")
    RATED = "rated", _("Reply rated")
    REHANDLING = "rehandling", _("Sent back for handling again")
    COMPLETED = "completed", _("Handling completed")
    KEY_MARKED = "key_marked", _("Marked as a key proposal")
    KEY_UNMARKED = "key_unmarked", _("No longer a key proposal")
    PUBLISHED = "published", _("Published")
    PUBLICATION_OBJECTED = "publication_objected", _("Proposer objected to publication")
    RESTRICTED = "restricted", _("Publication restricted")


class AwardStatus(models.TextChoices):
    """An excellent-proposal selection (优秀提案评选): open for nominations and decisions,
    then published (final)."""

    OPEN = "open", _("Open for nominations")
    PUBLISHED = "published", pgettext_lazy("award selection", "Published")


class AwardDecision(models.TextChoices):
    PENDING = "pending", _("Awaiting decision")
    SELECTED = "selected", _("Selected")
    NOT_SELECTED = "not_selected", _("Not selected")
