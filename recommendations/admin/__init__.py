"""Admin of the recommendations app, split by concern; importing the modules registers their model admins."""

from . import links, milestones, recommendations, taxonomy, timeline

__all__ = ["links", "milestones", "recommendations", "taxonomy", "timeline"]
