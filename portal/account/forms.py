from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired(), Length(max=200)])
    new_password = PasswordField("New password", validators=[DataRequired(), Length(max=200)])
    repeat_password = PasswordField("New password again", validators=[
        DataRequired(), Length(max=200), EqualTo("new_password", "The two new passwords differ.")])


class MfaSetupForm(FlaskForm):
    code = StringField("Code shown by the app", validators=[DataRequired(), Length(max=20)])
