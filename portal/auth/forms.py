from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=255)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    next = HiddenField()


class CodeForm(FlaskForm):
    """The second step of signing in: an authenticator code, or one of the recovery codes."""

    code = StringField("Code from your authenticator app, or a recovery code",
                       validators=[DataRequired(), Length(max=40)])


class EnrolForm(FlaskForm):
    code = StringField("Code shown by the app", validators=[DataRequired(), Length(max=20)])


class ReauthForm(FlaskForm):
    secret = PasswordField("Your password, or a code from your authenticator app",
                           validators=[DataRequired(), Length(max=200)])
    next = HiddenField()
