"""`spdesk users ...`, and who the command line acts as.

Who acts: `--user NAME`, else the environment variable SPDESK_USER, else the first active
administrator. Before any account exists (a fresh database) the command line acts as the built-in
system actor, so scripts and tests work without setup. Commands that only read (lists, `audit
verify`, backups, checks) need no password, so a scheduled task can run them. Commands that
write need the user's password: from SPDESK_PASSWORD, or asked for when the command runs in a
terminal; otherwise they stop with a message. Their changes are audited under that user.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import TYPE_CHECKING, NoReturn

from app.i18n import _
from app.services.actors import SYSTEM, Actor

if TYPE_CHECKING:  # the services load when a command runs (the quick reading path loads none of them)
    from app.services.context import Desk

EXIT_NOT_ALLOWED = 4


def refuse(message: str) -> NoReturn:
    """Print the message and exit with EXIT_NOT_ALLOWED."""
    print(message, file=sys.stderr)
    raise SystemExit(EXIT_NOT_ALLOWED)


def _interactive() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _password(name: str) -> str:
    from_env = os.environ.get("SPDESK_PASSWORD")
    if from_env is not None:
        return from_env
    if _interactive():
        return getpass.getpass(_("Password for {user}: ").format(user=name))
    refuse(_("This command changes data and needs the password of {user}. Set the environment "
                       "variable SPDESK_PASSWORD, or run the command in a terminal to type it.").format(user=name))


def requested_user(args: argparse.Namespace) -> str:
    """The user named for this command (--user, else SPDESK_USER), or "" for the first administrator."""
    return getattr(args, "user", None) or os.environ.get("SPDESK_USER") or ""


def resolve_actor(desk: Desk, args: argparse.Namespace, write: bool, allow_must_change: bool = False) -> Actor:
    """The acting user for this command (see the module docstring); exits with a message if refused."""
    from app.services import accounts

    with desk.db.read_session() as s:
        if not accounts.has_users(s):
            if getattr(args, "user", None):
                refuse(_("There are no user accounts yet: start the program once to create the "
                                   "administrator, or leave out --user."))
            return SYSTEM
        name = requested_user(args)
        found = accounts.find_actor(s, None, name) if name else accounts.first_admin(s)
        disabled = bool(name) and accounts.is_disabled(s, None, name)
    if disabled:
        refuse(_("The account {user} is disabled.").format(user=name))
    if found is None:
        refuse(_("There is no active user named {user}.").format(user=name) if name else
                         _("There is no active administrator; name a user with --user."))
    if not write:
        return found
    password = _password(found.username)
    result = desk.run(accounts.authenticate, found.username, password)
    if not result.ok or result.actor is None:
        refuse(result.message)
    if allow_must_change:
        args.current_password = password  # `users passwd` checks it again in the service
    elif result.must_change_password:
        refuse(_("The password of {user} was reset. Choose a new one first: spdesk users passwd")
                         .format(user=found.username))
    return result.actor


def _new_password(args: argparse.Namespace, who: str) -> tuple[str, str | None]:
    """A new password: SPDESK_NEW_PASSWORD, one line on stdin (--password-stdin), or typed twice."""
    from_env = os.environ.get("SPDESK_NEW_PASSWORD")
    if from_env is not None:
        return from_env, None
    if getattr(args, "password_stdin", False):
        return sys.stdin.readline().rstrip("\r\n"), None
    if _interactive():
        first = getpass.getpass(_("New password for {user}: ").format(user=who))
        return first, getpass.getpass(_("Repeat the new password: "))
    refuse(_("Give the new password in SPDESK_NEW_PASSWORD, on standard input with --password-stdin, "
                       "or run the command in a terminal to type it."))


def _open(args: argparse.Namespace, write: bool, allow_must_change: bool = False) -> Desk:
    from app.cli.common import open_desk

    return open_desk(args, read_only=not write, write=write, allow_must_change=allow_must_change)


def _user_id(desk: Desk, username: str) -> int:
    from app.services import accounts

    with desk.db.read_session() as s:
        rows = accounts.list_users(s, desk.actor)
    key = username.strip().lower()
    for r in rows:
        if r.username == key:
            return r.id
    refuse(_("There is no user named {user}.").format(user=username))


def cmd_list(args: argparse.Namespace) -> int:
    from app.cli.common import print_json
    from app.services import accounts

    desk = _open(args, write=False)
    try:
        rows = desk.run(accounts.list_users)
    finally:
        desk.db.dispose()
    if args.json:
        print_json([{"username": r.username, "display_name": r.display_name, "roles": sorted(r.roles),
                     "active": r.active, "must_change_password": r.must_change_password} for r in rows])
        return 0
    for r in rows:
        state = _("active") if r.active else _("disabled")
        print(f"{r.username}\t{r.display_name}\t{r.role_names}\t{state}")
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    from app.services import accounts

    desk = _open(args, write=True)
    try:
        password, repeat = _new_password(args, args.username)
        desk.run(accounts.create_user, args.username, args.name or "", args.roles, password, repeat)
    finally:
        desk.db.dispose()
    print(_("User {user} added; they choose their own password at the first log-in.").format(user=args.username))
    return 0


def cmd_reset_password(args: argparse.Namespace) -> int:
    from app.services import accounts

    desk = _open(args, write=True)
    try:
        uid = _user_id(desk, args.username)
        password, repeat = _new_password(args, args.username)
        desk.run(accounts.reset_password, uid, password, repeat)
    finally:
        desk.db.dispose()
    print(_("The password of {user} was reset; they must change it at the next log-in.").format(user=args.username))
    return 0


def cmd_disable(args: argparse.Namespace) -> int:
    from app.services import accounts

    desk = _open(args, write=True)
    try:
        desk.run(accounts.set_active, _user_id(desk, args.username), args.enable)
    finally:
        desk.db.dispose()
    msg = _("User {user} can log in again.") if args.enable else _("User {user} can no longer log in.")
    print(msg.format(user=args.username))
    return 0


def cmd_passwd(args: argparse.Namespace) -> int:
    from app.services import accounts

    desk = _open(args, write=True, allow_must_change=True)
    try:
        if desk.actor.id is None:
            refuse(_("There are no user accounts yet."))
        password, repeat = _new_password(args, desk.actor.username)
        desk.run(accounts.change_password, getattr(args, "current_password", ""), password, repeat)
    finally:
        desk.db.dispose()
    print(_("Password changed."))
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    users = sub.add_parser("users", help=_("user accounts (administrators)"))
    users_sub = users.add_subparsers(dest="users_command", metavar=_("ACTION"), required=True)
    lst = users_sub.add_parser("list", help=_("list user accounts"))
    lst.add_argument("--json", action="store_true", help=_("print JSON"))
    lst.set_defaults(handler=cmd_list)
    add = users_sub.add_parser("add", help=_("add a user account"))
    add.add_argument("username", metavar=_("USERNAME"))
    add.add_argument("--name", default="", help=_("the person's full name"))
    add.add_argument("--roles", required=True,
                     help=_("comma-separated roles: clerk, reviewer, finance, admin"))
    add.add_argument("--password-stdin", action="store_true", help=_("read the new password from standard input"))
    add.set_defaults(handler=cmd_add)
    reset = users_sub.add_parser("reset-password", help=_("set a temporary password that must be changed"))
    reset.add_argument("username", metavar=_("USERNAME"))
    reset.add_argument("--password-stdin", action="store_true", help=_("read the new password from standard input"))
    reset.set_defaults(handler=cmd_reset_password)
    dis = users_sub.add_parser("disable", help=_("stop an account from logging in"))
    dis.add_argument("username", metavar=_("USERNAME"))
    dis.set_defaults(handler=cmd_disable, enable=False)
    ena = users_sub.add_parser("enable", help=_("let a disabled account log in again"))
    ena.add_argument("username", metavar=_("USERNAME"))
    ena.set_defaults(handler=cmd_disable, enable=True)
    pw = users_sub.add_parser("passwd", help=_("change your own password"))
    pw.add_argument("--password-stdin", action="store_true", help=_("read the new password from standard input"))
    pw.set_defaults(handler=cmd_passwd)
