package config

import (
	"io"
	"log/slog"
	"strings"
)

// Log configures structured logging.
type Log struct {
	// Level is debug, info (the default when empty), warn or error.
	Level string `yaml:"level"`
	// Format is text (the default when empty) or json.
	Format string `yaml:"format"`
}

// Validate checks the level and format names.
func (l Log) Validate() error {
	if _, ok := l.level(); !ok {
		return Errorf("level", "must be debug, info, warn or error, not %q", l.Level)
	}
	switch strings.ToLower(l.Format) {
	case "", "text", "json":
	default:
		return Errorf("format", "must be text or json, not %q", l.Format)
	}
	return nil
}

func (l Log) level() (slog.Level, bool) {
	switch strings.ToLower(l.Level) {
	case "debug":
		return slog.LevelDebug, true
	case "", "info":
		return slog.LevelInfo, true
	case "warn", "warning":
		return slog.LevelWarn, true
	case "error":
		return slog.LevelError, true
	}
	return 0, false
}

// Logger builds the slog.Logger the settings describe, writing to w.
func (l Log) Logger(w io.Writer) *slog.Logger {
	lvl, _ := l.level()
	opts := &slog.HandlerOptions{Level: lvl}
	if strings.ToLower(l.Format) == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
