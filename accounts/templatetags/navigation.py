"""`{% navbar %}`: the top bar of base.html (accounts/navigation.py)."""

from django import template

from accounts.navigation import navbar_html

register = template.Library()


@register.simple_tag(takes_context=True)
def navbar(context):
    return navbar_html(context)
