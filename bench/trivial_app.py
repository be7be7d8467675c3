"""The trivial endpoint bench/load.py compares against: Flask's ceiling on this machine."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def ok() -> str:
    return "ok"
