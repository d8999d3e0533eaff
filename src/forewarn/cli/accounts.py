"""`forewarn user add/list/disable` and `forewarn token create/list/revoke`: workbench accounts."""

from __future__ import annotations

import sys

import typer
from rich.table import Table

from forewarn.cli.context import fail, run
from forewarn.cli.render import out, print_all, when
from forewarn.errors import AccountInvalid

user_app = typer.Typer(help="Workbench accounts (roles: viewer, analyst, duty_officer, admin).", no_args_is_help=True)
token_app = typer.Typer(help="API tokens for scripts (hashed at rest, revocable).", no_args_is_help=True)
JSON = typer.Option(False, "--json", help="Machine-readable output.")


def _password(from_stdin: bool) -> str:
    """The new password: the first line of standard input, or asked for twice on the terminal.
    Without a terminal to ask on (a script, cron, a pipe) FW-E104 says to use --password-stdin."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not _interactive():
        raise fail(AccountInvalid("no terminal to ask for the password on (standard input is not a terminal)",
                                  hint="give --password-stdin and send the password as the first line of "
                                       "standard input, e.g. `printf '%s\\n' \"$PW\" | forewarn user add NAME "
                                       "--password-stdin`"))
    return str(typer.prompt("password", hide_input=True, confirmation_prompt=True))


def _interactive() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):  # no stdin at all, or a closed one
        return False


@user_app.command("add")
def add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Account name (the actor on ledger entries)."),
    role: str = typer.Option("viewer", "--role", help="viewer, analyst, duty_officer or admin."),
    display_name: str = typer.Option(None, "--display-name", help="Name shown in the workbench.",
                                     show_default=False),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from the first line of "
                                        "standard input (for scripts) instead of prompting."),
    update: bool = typer.Option(False, "--update", help="Change an existing account (password, role, display "
                                "name) and enable it again. A new password ends all its sessions and API "
                                "tokens."),
) -> None:
    """Create an account (recorded in the ledger as the acting user). Without a terminal, give
    --password-stdin."""
    password = _password(password_stdin)
    user = run(ctx, lambda ws: ws.accounts.add_user(name, password, role, actor=ws.actor, display_name=display_name,
                                                   update_existing=update))
    out.print(f"account {user.name} ({user.role.label}) {'updated' if update else 'added'}")


@user_app.command("list")
def list_users(ctx: typer.Context, as_json: bool = JSON) -> None:
    """The accounts, with role and state."""
    users = run(ctx, lambda ws: ws.accounts.users())
    if as_json:
        from forewarn.web.api.accounts import user_out  # the API's item

        print_all([user_out(u) for u in users])
        return
    table = Table("name", "display name", "role", "state", "created")
    for u in users:
        table.add_row(u.name, u.display_name, u.role.label, "disabled" if u.disabled else "active", when(u.created_at))
    out.print(table)


@user_app.command("disable")
def disable(ctx: typer.Context, name: str = typer.Argument(..., help="Account name.")) -> None:
    """Disable an account: its sessions end and its API tokens are revoked, for good."""
    user = run(ctx, lambda ws: ws.accounts.disable_user(name, actor=ws.actor))
    out.print(f"account {user.name} disabled")


@token_app.command("create")
def create(
    ctx: typer.Context,
    user: str = typer.Argument(..., help="Account the token acts for."),
    name: str = typer.Option("token", "--name", help="What the token is for (shown in lists)."),
) -> None:
    """Create an API token; the secret is printed once and never stored."""
    token, secret = run(ctx, lambda ws: ws.accounts.create_token(user, name, actor=ws.actor))
    out.print(f"token {token.id} for {token.user} ({token.name}); use it as 'Authorization: Bearer <token>':",
              highlight=False)
    print(secret)


@token_app.command("list")
def list_tokens(ctx: typer.Context, user: str = typer.Option(None, "--user", help="Only this account's tokens.",
                                                            show_default=False), as_json: bool = JSON) -> None:
    """API tokens (never their secrets)."""
    tokens = run(ctx, lambda ws: ws.accounts.tokens(user))
    if as_json:
        from forewarn.web.api.accounts import token_out  # the API's item (never a secret)

        print_all([token_out(t) for t in tokens])
        return
    table = Table("id", "user", "name", "created", "last used", "revoked")
    for t in tokens:
        table.add_row(str(t.id), t.user, t.name, when(t.created_at), when(t.last_used_at), when(t.revoked_at))
    out.print(table)


@token_app.command("revoke")
def revoke(ctx: typer.Context, token_id: int = typer.Argument(..., help="Token id (from `token list`).")) -> None:
    """Revoke a token: requests with it are refused from now on."""
    token = run(ctx, lambda ws: ws.accounts.revoke_token(token_id, actor=ws.actor))
    out.print(f"token {token.id} of {token.user} revoked")

