"""A bare Flask endpoint: the floor the portal's figures are compared with under the same gunicorn.

``gunicorn -c gunicorn.conf.py bench.bare_app:app`` → ``GET /bare`` answers a small JSON.
"""

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/bare")
def bare():
    return jsonify(status="ok", n=1)
