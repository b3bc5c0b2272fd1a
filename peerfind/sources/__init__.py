"""The maintainer pipeline: sources registry, runner, enrichment, bundle, discovery, refresh."""
