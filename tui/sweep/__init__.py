"""Sweeps: thousands of seeded runs of a scenario and its variants, summarised as distributions.

``spec`` turns the command line (and a scenario's ``[sweep]`` defaults) into
jobs, ``ranges`` parses and draws ``--vary`` values, ``engine`` runs jobs in
this process, worker processes or on Ray, ``stats`` computes distributions,
rates and paired differences, ``output`` prints and writes them and ``plots``
draws them (matplotlib, the ``plots`` extra). ``command`` ties them together
for ``outage-tui sweep``.
"""
