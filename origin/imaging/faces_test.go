//go:build cgo

package imaging

import (
	"context"
	"testing"

	"github.com/mediacdn/mediacdn/internal/testkit"
)

func TestDetectFacesScratch(t *testing.T) {
	p := newProcessor(t, Config{})
	for _, name := range []string{"astronaut.png", "chelsea.png", "rocket.jpg", "coffee.png", "LadyBird.jpg", "Garden.jpg"} {
		faces, err := p.DetectFaces(context.Background(), testkit.Read(t, name))
		t.Logf("%s: %v %v", name, faces, err)
	}
}
