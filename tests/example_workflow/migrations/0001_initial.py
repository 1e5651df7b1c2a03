from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("organisations", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="OpinionRequest",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.CharField(max_length=20, unique=True)),
                ("title", models.CharField(max_length=200)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("new", "待征询"),
                            ("consulting", "征询中"),
                            ("answered", "已答复"),
                            ("closed", "已办结"),
                        ],
                        default="new",
                        max_length=12,
                    ),
                ),
                (
                    "office",
                    models.ForeignKey(
                        on_delete=models.deletion.PROTECT, related_name="+", to="organisations.organisation"
                    ),
                ),
            ],
        ),
    ]
