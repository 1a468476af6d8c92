package api

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/delivery"
)

// signatureMaxAge is how old a signed request's timestamp may be.
const signatureMaxAge = time.Hour

// Authenticate accepts a request signed as the SDKs sign it (api_key,
// timestamp, signature over the sorted parameters and the secret, SHA-1 or
// SHA-256, signature version 1 or 2) or HTTP Basic with the cloud's key and
// secret. A bearer token is refused (invalidToken).
func Authenticate(r *http.Request, cl config.Cloud, p *Params, now time.Time) error {
	if basic, err := AuthenticateHeaders(r, cl); basic || err != nil {
		return err
	}
	return checkSignedParams(cl, p, now, false)
}

// AuthenticateAdmin accepts HTTP Basic with the cloud's API key and
// secret only (the Admin API takes no signed requests). OAuth tokens are
// not implemented: a bearer token is refused as Cloudinary refuses an
// invalid one (invalidToken).
func AuthenticateAdmin(r *http.Request, cl config.Cloud) error {
	if hasBearer(r) {
		return invalidToken()
	}
	user, pass, ok := r.BasicAuth()
	switch {
	case !ok || user == "":
		return delivery.Errorf(http.StatusUnauthorized, "Must supply api_key")
	case !equal(user, cl.APIKey):
		return delivery.Errorf(http.StatusUnauthorized, "Unknown API key %s", Clip(user))
	case !equal(pass, cl.APISecret):
		return delivery.Errorf(http.StatusUnauthorized, "api_secret mismatch")
	}
	return nil
}

// AuthenticateHeaders judges what a request's headers carry, before its
// body is read: HTTP Basic is accepted (basic) or refused, a bearer token
// refused. Neither leaves the judgment to the signed parameters.
func AuthenticateHeaders(r *http.Request, cl config.Cloud) (basic bool, err error) {
	if user, pass, ok := r.BasicAuth(); ok {
		if equal(user, cl.APIKey) && equal(pass, cl.APISecret) {
			return true, nil
		}
		return false, delivery.Errorf(http.StatusUnauthorized, "Invalid API key or secret")
	}
	if hasBearer(r) {
		return false, invalidToken()
	}
	return false, nil
}

// AuthenticateBeforeFile judges the credentials among the parameters read
// before an upload's file, so that a request they refuse is answered
// before its file is read: an unknown api_key, a timestamp out of bounds,
// or a signature that does not match the parameters so far (with the
// signature before the file, every signed parameter must come before it
// too, as the SDKs send them). What is missing may still come after the
// file: it is judged once the body is read.
func AuthenticateBeforeFile(cl config.Cloud, p *Params, now time.Time) error {
	return checkSignedParams(cl, p, now, true)
}

// checkSignedParams checks api_key, timestamp and signature. With early,
// a missing parameter is not (yet) an error.
func checkSignedParams(cl config.Cloud, p *Params, now time.Time, early bool) error {
	key := p.Get("api_key")
	if key == "" {
		switch {
		case early:
			return nil
		case p.Get("upload_preset") != "":
			return BadRequest("Upload preset not found - %s", Clip(p.Get("upload_preset")))
		}
		return delivery.Errorf(http.StatusUnauthorized, "Must supply api_key")
	}
	if !equal(key, cl.APIKey) {
		return delivery.Errorf(http.StatusUnauthorized, "Unknown API key %s", Clip(key))
	}
	ts := p.Get("timestamp")
	if ts == "" {
		if early {
			return nil
		}
		return BadRequest("Missing required parameter - timestamp")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return BadRequest("Invalid timestamp - %s", Clip(ts))
	}
	t := time.Unix(sec, 0).UTC()
	if now.Sub(t) > signatureMaxAge {
		return BadRequest("Stale request - reported time is %s which is more than 1 hour ago",
			t.Format("2006-01-02 15:04:05 -0700"))
	}
	if t.Sub(now) > signatureMaxAge {
		return BadRequest("Invalid timestamp - reported time is %s which is more than 1 hour ahead",
			t.Format("2006-01-02 15:04:05 -0700"))
	}
	sig := p.Get("signature")
	if sig == "" {
		if early {
			return nil
		}
		return BadRequest("Missing required parameter - signature")
	}
	toSign := p.stringToSign(true)
	if checkSignature(sig, toSign, cl.APISecret) || checkSignature(sig, p.stringToSign(false), cl.APISecret) {
		return nil
	}
	return delivery.Errorf(http.StatusUnauthorized, "Invalid Signature %s. String to sign - '%s'.", Clip(sig), toSign)
}

// checkSignature compares a hex signature with SHA-1 or SHA-256 (by its
// length) of toSign+secret, in constant time.
func checkSignature(sig, toSign, secret string) bool {
	var want []byte
	switch len(sig) {
	case 40:
		h := sha1.Sum([]byte(toSign + secret))
		want = h[:]
	case 64:
		h := sha256.Sum256([]byte(toSign + secret))
		want = h[:]
	default:
		return false
	}
	got, err := hex.DecodeString(strings.ToLower(sig))
	return err == nil && subtle.ConstantTimeCompare(got, want) == 1
}

// hasBearer reports an OAuth bearer token (Authorization: Bearer), which
// the SDKs send instead of a signature or Basic auth when configured with
// oauth_token.
func hasBearer(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ")
}

// invalidToken refuses a bearer token with Cloudinary's answer to an
// invalid one (401 Invalid token): this server implements no OAuth, so no
// token is valid.
func invalidToken() *delivery.Error { return delivery.Errorf(http.StatusUnauthorized, "Invalid token") }

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// ResponseSignature is what the SDKs' verify_api_response_signature
// checks: sha1hex("public_id=<id>&version=<v>" + secret).
func ResponseSignature(publicID string, version int64, secret string) string {
	h := sha1.Sum([]byte("public_id=" + publicID + "&version=" + strconv.FormatInt(version, 10) + secret))
	return hex.EncodeToString(h[:])
}
