"""What a space can be asked: analogies, semantic axes, clusters, frequency order, projections, evaluation."""
