"""State changes of the bulletin board: categories, articles, order, the
notice mail. Views, tasks and seed_demo call these; nobody writes the
models directly."""
