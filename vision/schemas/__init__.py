"""The event contract, shipped with the producer as package data.

``event.schema.json`` (JSON Schema 2020-12) is the one definition of an event: the
producer writes it, Bronze's rule (udfs/events.py) is compiled from it, and
``event.avsc`` is its form for Pulsar's schema registry (a unit test keeps the two in
step). Found through importlib.resources, so an installed wheel finds them too.
"""

from importlib.resources import files

JSON_SCHEMA = files(__name__) / "event.schema.json"
AVRO_SCHEMA = files(__name__) / "event.avsc"
