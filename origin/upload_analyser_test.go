package origin_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/origin/meta"

	"github.com/mediacdn/mediacdn/delivery"
)

// An upload is analysed in the background once its version has settled:
// an image overwritten at once is analysed only in the version that
// stays, and details then answer from the stored analysis.
func TestAnalysisAfterUploadOnlyOfTheVersionThatStays(t *testing.T) {
	o := startOrigin(t, nil)
	uploadAs(t, o, "Storm.jpg", "settle")
	second := uploadAs(t, o, "LadyBird.jpg", "settle")
	key := meta.Key{Cloud: cloudName, ResourceType: delivery.Image, Type: delivery.Upload, PublicID: "settle"}
	testkit.CheckFor(t, 30*time.Second, func() error {
		if _, err := o.Store.Meta.Analysis(context.Background(), key, int64(second.Version)); err != nil {
			return fmt.Errorf("version %d not analysed in the background (%d analyses): %w", second.Version, o.Server.Analyses(), err)
		}
		return nil
	})
	if n := o.Server.Analyses(); n != 1 {
		t.Fatalf("%d analyses for one version that stayed, want 1", n)
	}
	if d := adminGet(t, o, "resources/image/upload/settle?colors=true&phash=true"); d.status != 200 || d.body["phash"] == nil {
		t.Fatalf("details: %s", d.raw)
	}
	if n := o.Server.Analyses(); n != 1 {
		t.Fatalf("details analysed again: %d analyses", n)
	}
}
