"""``msskg serve``: a read-only SPARQL 1.1 Protocol endpoint and a web page."""
