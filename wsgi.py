"""The entry point gunicorn serves: `gunicorn -c gunicorn.conf.py wsgi:app`."""

from commentsvc import create_app
from commentsvc.config import refuse_insecure_defaults

app = create_app()
refuse_insecure_defaults(app)
