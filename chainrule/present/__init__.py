"""Presenters: a record written out in one format, computing nothing.

One module per command; each has one function per format, ``text(record, out)``,
``json(record, out)`` and so on, listed in its ``PRESENTERS`` (format name -> function), which
is where the command line takes its ``--format`` choices from. A presenter reads the record and
prints it through the notations (:mod:`chainrule.notation`); every number and formula it shows
was computed by the record's module.
"""
