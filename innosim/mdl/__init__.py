"""Reading, compiling and caching the Vensim model: the first stage of the pipeline."""
