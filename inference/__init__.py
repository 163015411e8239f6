"""inference/: the sovereign worker that answers redirected traffic."""
