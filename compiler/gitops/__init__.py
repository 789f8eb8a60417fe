"""Git-facing features: semantic diff, render commits, rollback."""
