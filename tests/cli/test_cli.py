"""The `flask --app commentsvc …` commands an operator runs."""

import json
import re
import stat
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from commentsvc import sanitize
from commentsvc.models import ApiKey, Article, Comment, Moderator
from commentsvc.services import accounts, demo
from commentsvc.status import Status
from tests.helpers import ARTICLE, submit


def lines(result) -> list[str]:
    return result.output.splitlines()


def created_key(runner, name: str = "newsroom", scope: str = "moderate") -> tuple[int, str]:
    """Create a key through the CLI; return its id and its secret."""
    result = runner.invoke(args=["api-keys", "create", name, "--scope", scope])
    assert result.exit_code == 0, result.output
    key_id = int(re.search(r"Created API key (\d+)", result.output).group(1))
    return key_id, lines(result)[-1]


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def instance_file(app):
    """Name a file in the shared instance folder, and remove it after the test."""
    made: list[Path] = []

    def name(filename: str) -> Path:
        path = Path(app.instance_path) / filename
        assert not path.exists(), f"{path} is left over from another test"
        made.append(path)
        return path

    yield name
    for path in made:
        path.unlink(missing_ok=True)


# ---- moderators ---------------------------------------------------------------


def test_moderators_create_with_password_option(runner, db_session):
    result = runner.invoke(
        args=["moderators", "create", "Editor@Example.org", "--role", "admin", "--password", "pw1"]
    )

    assert result.exit_code == 0, result.output
    assert "editor@example.org" in result.output
    moderator = accounts.find_moderator(db_session, "editor@example.org")
    assert moderator.role.value == "admin"
    assert accounts.check_password(moderator, "pw1")
    assert not accounts.check_password(moderator, "pw2")


def test_moderators_create_prompts_for_the_password_twice(runner, db_session):
    result = runner.invoke(args=["moderators", "create", "new@example.org"], input="pw\npw\n")

    assert result.exit_code == 0, result.output
    assert "Password" in result.output
    moderator = accounts.find_moderator(db_session, "new@example.org")
    assert moderator.role.value == "moderator"
    assert accounts.check_password(moderator, "pw")


def test_moderators_create_refuses_a_taken_email(runner, moderator, db_session):
    result = runner.invoke(
        args=["moderators", "create", "MOD@example.org", "--password", "other password"]
    )

    assert result.exit_code != 0
    assert "A moderator with this email already exists." in result.output
    assert db_session.scalar(select(func.count()).select_from(Moderator)) == 1
    assert accounts.check_password(moderator, "correct horse")


def test_moderators_list_shows_email_role_and_state(runner, moderator, db_session):
    runner.invoke(
        args=["moderators", "create", "boss@example.org", "--role", "admin", "--password", "x"]
    )
    moderator.is_active = False
    db_session.commit()

    result = runner.invoke(args=["moderators", "list"])

    assert result.exit_code == 0, result.output
    rows = [line.split("\t")[1:] for line in lines(result)]
    assert rows == [
        ["boss@example.org", "admin", "active"],
        ["mod@example.org", "moderator", "deactivated"],
    ]


def test_moderators_set_password_replaces_it(runner, moderator, db_session):
    result = runner.invoke(
        args=["moderators", "set-password", "mod@example.org", "--password", "battery staple"]
    )

    assert result.exit_code == 0, result.output
    db_session.refresh(moderator)
    assert accounts.check_password(moderator, "battery staple")
    assert not accounts.check_password(moderator, "correct horse")


def test_moderators_set_password_for_an_unknown_email_fails(runner, db_session):
    result = runner.invoke(
        args=["moderators", "set-password", "nobody@example.org", "--password", "x"]
    )

    assert result.exit_code != 0
    assert "nobody@example.org" in result.output


# ---- API keys -----------------------------------------------------------------


def test_api_keys_create_prints_a_working_secret_alone_on_the_last_line(runner, client):
    _, secret = created_key(runner, "newsroom", "moderate")

    assert re.fullmatch(r"csk_[A-Za-z0-9_-]{40,}", secret)
    response = client.get("/api/v1/comments", headers=bearer(secret))
    assert response.status_code == 200
    assert response.get_json()["comments"] == []


def test_a_read_scope_key_may_read_but_not_moderate(runner, client, auth):
    comment_id = submit(client).get_json()["id"]
    _, secret = created_key(runner, "dashboard", "read")

    assert client.get("/api/v1/comments", headers=bearer(secret)).status_code == 200
    response = client.post(
        f"/api/v1/comments/{comment_id}/moderation",
        json={"action": "approve"},
        headers=bearer(secret),
    )
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    queued = client.get(f"/api/v1/comments/{comment_id}", headers=auth).get_json()
    assert queued["status"] == "pending"


def test_api_keys_list_shows_the_key_but_never_its_secret(runner, db_session):
    key_id, secret = created_key(runner, "newsroom", "moderate")

    result = runner.invoke(args=["api-keys", "list"])

    assert result.exit_code == 0, result.output
    (row,) = [line.split("\t") for line in lines(result) if line.startswith(f"{key_id}\t")]
    assert row[2:] == ["newsroom", "moderate", "never used", "live"]
    assert row[1] == secret[:12] + "…"
    assert secret not in result.output
    assert secret[12:20] not in result.output


def test_api_keys_revoke_makes_the_key_answer_401(runner, client):
    key_id, secret = created_key(runner)
    assert client.get("/api/v1/comments", headers=bearer(secret)).status_code == 200

    result = runner.invoke(args=["api-keys", "revoke", str(key_id)])

    assert result.exit_code == 0, result.output
    assert "newsroom" in result.output
    response = client.get("/api/v1/comments", headers=bearer(secret))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    listing = runner.invoke(args=["api-keys", "list"]).output
    assert listing.strip().endswith("revoked")


def test_api_keys_revoke_an_unknown_id_fails(runner, db_session):
    result = runner.invoke(args=["api-keys", "revoke", "999999"])

    assert result.exit_code != 0
    assert "999999" in result.output


# ---- comments rerender --------------------------------------------------------


def article_version(session, article_id: str = ARTICLE) -> int:
    return session.scalar(select(Article.version).where(Article.article_id == article_id))


def test_comments_rerender_restores_the_current_rendering(runner, client, db_session):
    stale_id = submit(
        client, body="Read **this** <script>alert(1)</script> http://a.example"
    ).get_json()["id"]
    fresh_id = submit(client, body="Nothing to change.").get_json()["id"]
    old_html = '<p>Read <img src="x" onerror="alert(1)"></p>'  # what a looser allowlist kept
    db_session.execute(update(Comment).where(Comment.id == stale_id).values(html=old_html))
    db_session.commit()
    total = db_session.scalar(
        select(func.count()).select_from(Comment).where(Comment.erased_at.is_(None))
    )
    version = article_version(db_session)

    result = runner.invoke(args=["comments", "rerender"])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"Re-rendered {total} comments; 1 changed."
    db_session.expire_all()
    stale, fresh = db_session.get(Comment, stale_id), db_session.get(Comment, fresh_id)
    assert stale.html == sanitize.render(stale.body)
    assert "onerror" not in stale.html and "<script>" not in stale.html
    assert fresh.html == sanitize.render(fresh.body)
    assert article_version(db_session) > version


def test_comments_rerender_with_nothing_stale_changes_nothing(runner, client, db_session):
    submit(client, body="Already current.")
    version = article_version(db_session)

    result = runner.invoke(args=["comments", "rerender"])

    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("; 0 changed.")
    db_session.expire_all()
    assert article_version(db_session) == version


# ---- demo seed ----------------------------------------------------------------


def printed(output: str, label: str) -> str:
    (line,) = [line for line in output.splitlines() if line.strip().startswith(label)]
    return line.split(":", 1)[1].strip()


def row_totals(session) -> dict[str, int]:
    return {
        model.__tablename__: session.scalar(select(func.count()).select_from(model))
        for model in (Moderator, ApiKey, Article, Comment)
    }


def test_demo_seed_prints_credentials_that_work(runner, client, db_session, instance_file):
    credentials_file = instance_file("demo-credentials.json")

    result = runner.invoke(args=["demo", "seed"])

    assert result.exit_code == 0, result.output
    email, password = printed(result.output, "Moderator login").split(" / ")
    secret = printed(result.output, "API key")
    assert email == demo.MODERATOR_EMAIL
    assert accounts.check_password(accounts.find_moderator(db_session, email), password)
    assert client.get("/api/v1/comments", headers=bearer(secret)).status_code == 200
    assert demo.ARTICLE_ID in result.output

    assert mode(credentials_file) == 0o600
    saved = json.loads(credentials_file.read_text())
    assert saved["password"] == password and saved["api_key"] == secret


def test_demo_seed_fills_the_article_with_approved_and_held_comments(
    runner, client, auth, db_session, instance_file
):
    instance_file("demo-credentials.json")
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0

    thread = client.get(f"/api/v1/articles/{demo.ARTICLE_ID}/comments").get_json()
    assert thread["count"] == 2
    queue = client.get(
        f"/api/v1/comments?status=pending&article_id={demo.ARTICLE_ID}", headers=auth
    ).get_json()["comments"]
    assert len(queue) == 3
    assert all(comment["held_reasons"] for comment in queue)
    statuses = db_session.scalars(select(Comment.status)).all()
    assert sorted(statuses) == sorted([Status.approved] * 2 + [Status.pending] * 3)


def test_demo_seed_twice_creates_nothing_twice(runner, db_session, instance_file):
    instance_file("demo-credentials.json")
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    totals = row_totals(db_session)

    second = runner.invoke(args=["demo", "seed"])

    assert second.exit_code == 0, second.output
    assert (
        row_totals(db_session)
        == totals
        == {
            "moderators": 1,
            "api_keys": 1,
            "articles": 1,
            "comments": len(demo.COMMENTS),
        }
    )
    for label in ("Moderator login", "API key", "Demo article"):
        assert printed(second.output, label) == printed(first.output, label)


def test_demo_seed_never_prints_or_resets_a_password_the_moderator_changed(
    runner, db_session, instance_file
):
    instance_file("demo-credentials.json")
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    accounts.set_password(db_session, demo.MODERATOR_EMAIL, "chosen by the owner")

    again = runner.invoke(args=["demo", "seed"])

    assert again.exit_code == 0, again.output
    assert "(the password you set with set-password)" in printed(again.output, "Moderator login")
    moderator = accounts.find_moderator(db_session, demo.MODERATOR_EMAIL)
    assert accounts.check_password(moderator, "chosen by the owner")


# ---- instance init ------------------------------------------------------------


def test_instance_init_writes_a_secret_key_once(runner, instance_file):
    config_file = instance_file("config.py")

    first = runner.invoke(args=["instance", "init"])

    assert first.exit_code == 0, first.output
    assert mode(config_file) == 0o600
    content = config_file.read_text()
    namespace: dict = {}
    exec(content, namespace)  # noqa: S102 - the file the app itself executes
    assert len(namespace["SECRET_KEY"]) >= 32
    assert namespace["SECRET_KEY"] != "dev-insecure-secret"

    second = runner.invoke(args=["instance", "init"])

    assert second.exit_code == 0, second.output
    assert "Keeping" in second.output
    assert config_file.read_text() == content
