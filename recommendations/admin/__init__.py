"""Admin of the recommendations app, split by concern; importing the modules registers their model admins."""

from . import links, recommendations, taxonomy, timeline

__all__ = ["links", "recommendations", "taxonomy", "timeline"]
