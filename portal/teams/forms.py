"""Forms of the team pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, RadioField
from wtforms.validators import Email, EqualTo, InputRequired, Length

from portal import vocab
from portal.accounts.forms import MAX_PASSWORD_LENGTH, RegisterForm
from portal.forms import strip


class InviteForm(FlaskForm):
    email = EmailField(
        "Colleague's email address",
        filters=[strip],
        validators=[
            InputRequired("Enter your colleague's email address."),
            Length(max=254, message="That email address is too long."),
            Email("Enter an email address like name@yourclinic.com."),
        ],
    )
    role = RadioField(
        "Role",
        choices=vocab.TEAM_ROLES,
        default="editor",
        validators=[InputRequired("Choose a role.")],
        description="Editors write and submit the profile; owners also manage the team.",
    )


class RoleForm(FlaskForm):
    role = RadioField(
        "Role", choices=vocab.TEAM_ROLES, validators=[InputRequired("Choose a role.")]
    )


class JoinWithNewAccountForm(FlaskForm):
    password = RegisterForm.password
    password_confirm = PasswordField(
        "Type the password again",
        validators=[
            InputRequired("Type the password a second time."),
            Length(max=MAX_PASSWORD_LENGTH),
            EqualTo("password", "The two passwords are not the same."),
        ],
        render_kw={"autocomplete": "new-password"},
    )
