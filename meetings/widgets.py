"""Form widgets of the archive's filters that grow with the archive.

Django renders a <select> through a template for the select and two more for each of
its options (the option and its attributes). A list filter offers every body of the
archive, and the cases list's body <select> took 3 ms more for the 103 bodies of a
5,000,000-item archive than for 23 (cProfile, 2026-12-04): all Danish councils are of
the order of a thousand bodies. These widgets build the same HTML in Python.
"""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


class QuickSelect(forms.Select):
    """forms.Select, rendered without templates: the same elements and attributes."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        groups = []
        for group_name, options, _index in widget["optgroups"]:
            rendered = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((o["value"], flatatt(o["attrs"]), o["label"]) for o in options),
            )
            if group_name:
                rendered = format_html('<optgroup label="{}">{}</optgroup>', group_name, rendered)
            groups.append(rendered)
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            mark_safe("".join(groups)),  # noqa: S308 - each part made by format_html
        )
