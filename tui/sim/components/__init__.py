"""One module per component of the DNS automation and the cascade; each is an async function run as a Trio task."""
