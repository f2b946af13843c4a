"""``{% cache key %}...{% endcache %}``: keep a rendered piece of a template that depends only on ``key``.

The key is the data the fragment is made of (say: language and kind of form),
never a name for data that can change behind it, so a process that keeps an old
entry still shows the truth. A key of ``None`` renders without caching (a form
that was filled in and came back with messages). Each process keeps its own
small cache; nothing depends on it being there.
"""
from jinja2 import nodes
from jinja2.ext import Extension

MAX_ENTRIES = 512


class FragmentCache(Extension):
    tags = {"cache"}

    def __init__(self, environment):
        super().__init__(environment)
        environment.extend(fragment_cache={})

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        key = parser.parse_expression()
        body = parser.parse_statements(("name:endcache",), drop_needle=True)
        return nodes.CallBlock(self.call_method("_render", [key]), [], [], body).set_lineno(lineno)

    def _render(self, key, caller):
        if key is None:
            return caller()
        cache = self.environment.fragment_cache
        html = cache.get(key)
        if html is None:
            html = caller()
            if len(cache) >= MAX_ENTRIES:
                cache.clear()  # keys are few (language x kind of form); this only guards against a leak
            cache[key] = html
        return html
