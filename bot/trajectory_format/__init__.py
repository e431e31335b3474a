"""The parts of :mod:`bot.trajectory_file`, which is the module to import.

``model`` holds the plain dataclasses and the format's constants, ``errors`` the
:class:`~bot.trajectory_format.errors.FileError` and how values are echoed in messages,
``nodes`` and ``checker`` the walker that reads typed values from YAML nodes, and
``references``, ``people``, ``sessions``, ``commitments`` and ``forms`` the sections
that refer to one another.
"""
