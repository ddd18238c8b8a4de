"""Dashboard forms checked by the API's own request models, so a form and its endpoint accept
and refuse the same values with the same messages."""

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from shelfwise.operations.problems import field_path
from shelfwise.platform.errors import InvalidInputError

Body = TypeVar("Body", bound=BaseModel)


def checked(model: type[Body], **fields: Any) -> Body:
    """The form's fields as `model`, or a 422 page naming each refused field and why."""
    try:
        return model.model_validate(fields)
    except ValidationError as error:
        errors = [
            {"field": field_path(item["loc"]), "message": item["msg"]}
            for item in error.errors(include_url=False, include_input=False)
        ]
        fields_named = ", ".join(each["field"] for each in errors)
        raise InvalidInputError(f"Check these fields: {fields_named}.", errors) from error
