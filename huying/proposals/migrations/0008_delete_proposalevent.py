"""The proposal's history is in the handling engine's ``CaseEvent`` (copied by ``0006``)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0007_history_in_case_events"),
    ]

    operations = [
        migrations.DeleteModel(name="ProposalEvent"),
    ]
