// Package app assembles components into the mediacdn subcommands: it loads
// and validates the YAML file, applies environment overrides and flags, and
// runs the servers each subcommand needs until its context ends.
package app
