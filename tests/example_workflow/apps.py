from django.apps import AppConfig


class ExampleWorkflowConfig(AppConfig):
    name = "tests.example_workflow"
    label = "example_workflow"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from huying.handling.policy import Policy, register
        from tests.example_workflow import transitions

        register(
            Policy(
                workflow=transitions.WORKFLOW,
                label="专家意见征询",
                case_model="example_workflow.opinionrequest",
                on_move=transitions.on_assignment_move,
                cards=transitions.cards,
                describe=transitions.describe,
            )
        )
