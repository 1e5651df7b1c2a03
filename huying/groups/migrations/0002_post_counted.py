from django.db import migrations, models


def counted_as_before(apps, schema_editor):
    """Until now every post counted from the moment it was written until it was removed,
    whatever its moderation state: mark exactly those as counted, so the flag tells the truth
    about the kept counters. ``manage.py groups_recount`` then takes pending and hidden posts
    out of the figures (and retracts their duty entries) through the groups' own code."""
    Post = apps.get_model("groups", "Post")
    Post.objects.filter(removed_at__isnull=True).update(counted=True)


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="post",
            name="counted",
            field=models.BooleanField(default=False, verbose_name="counted in the figures"),
        ),
        migrations.RunPython(counted_as_before, migrations.RunPython.noop, elidable=True),
    ]
