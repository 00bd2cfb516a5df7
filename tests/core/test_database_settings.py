"""How the project talks to its database."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's JIT")
def test_postgresql_runs_without_jit() -> None:
    # Compiling the reports' queries (many small indexed subqueries) took longer than running them.
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
