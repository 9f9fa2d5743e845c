"""The simulation core: controller, trace, world and components. Imports neither Textual nor Rich."""
