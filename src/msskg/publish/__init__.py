"""Publishing the graph: whole-graph export, and remote SPARQL servers (queries
over the SPARQL Protocol, push over the Graph Store Protocol)."""
