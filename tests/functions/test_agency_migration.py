"""Upgrading an install that predates agencies: its agents, functions and invocations move
into its one agency."""

BEFORE = [
    ("agencies", "0002_default_agency"),
    ("agents", "0001_initial"),
    ("functions", "0004_secret_headers"),
]
AFTER = [("agents", "0002_agent_agency"), ("functions", "0005_function_and_invocation_agency")]


def test_existing_rows_move_into_the_first_agency(migrator):
    apps = migrator(BEFORE)
    Agency = apps.get_model("agencies", "Agency")
    Agency.objects.all().delete()
    first = Agency.objects.create(name="Harbour Realty", slug="harbour-realty")
    Agency.objects.create(name="Later Agency", slug="later")
    agent = apps.get_model("agents", "Agent").objects.create(name="Lisa", system_prompt="Hi")
    function = apps.get_model("functions", "CustomFunction").objects.create(
        agent=agent, name="lookup", description="Look up", endpoint="https://api.example.com/"
    )
    apps.get_model("functions", "FunctionInvocation").objects.create(function=function, status="ok")

    apps = migrator(AFTER)

    assert apps.get_model("agents", "Agent").objects.get().agency_id == first.pk
    assert apps.get_model("functions", "CustomFunction").objects.get().agency_id == first.pk
    invocation = apps.get_model("functions", "FunctionInvocation").objects.get()
    assert invocation.agency_id == first.pk


def test_an_install_without_agents_needs_no_agency(migrator):
    apps = migrator(BEFORE)
    apps.get_model("agencies", "Agency").objects.all().delete()

    apps = migrator(AFTER)

    assert not apps.get_model("agencies", "Agency").objects.exists()
    assert not apps.get_model("agents", "Agent").objects.exists()
