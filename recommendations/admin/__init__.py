"""Admin of the recommendations app, split by concern; importing the modules registers their model admins."""

from . import evidence, links, milestones, recommendations, saved_views, taxonomy, timeline

__all__ = ["evidence", "links", "milestones", "recommendations", "saved_views", "taxonomy", "timeline"]
