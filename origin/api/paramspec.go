package api

import "github.com/mediacdn/mediacdn/delivery"

// An API method's parameters fall in three kinds: Cloudinary parameters
// the server implements, Cloudinary parameters it does not (yet), and
// anything else. The second kind is refused with a 400 that names the
// parameter, never accepted and dropped: a caller who asks for a
// notification, an incoming transformation or an add-on must learn that it
// will not happen. The third kind is ignored, as Cloudinary ignores what it
// does not know (the SDKs send extras such as unsigned=true or _a).
//
// Each method lists both Cloudinary kinds. Only the refused list matters at
// run time; the implemented list documents the method and lets the tests
// check that every parameter the official SDKs send for it is one or the
// other (origin's admin_paramspec_test.go and upload_paramspec_test.go).

// MethodParams are one API method's Cloudinary parameters.
type MethodParams struct {
	// Implemented are the Cloudinary parameters the method acts on.
	Implemented []string
	// Refused are Cloudinary parameters of the method that this server
	// does not implement; a request carrying one (even empty) fails.
	Refused []string
}

// Check refuses a request that carries a refused parameter, naming the
// first of them in the method's order.
func (m MethodParams) Check(p *Params) error {
	for _, k := range m.Refused {
		if p.Has(k) {
			return unsupportedParam(k)
		}
	}
	return nil
}

// unsupportedParam is the answer to a Cloudinary parameter the server does
// not implement.
func unsupportedParam(name string) *delivery.Error {
	return BadRequest("Parameter %s is not supported by this server", name)
}
