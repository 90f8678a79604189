"""makerfront: a static-site generator for handmade makers' storefronts."""

__version__ = "0.1.0"
