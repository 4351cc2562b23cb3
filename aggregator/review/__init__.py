"""The editors' review app (ARCHITECTURE 1, review & bulletins): `create_app` in app.py."""
