package console

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"sync"
	"time"
)

// session is one signed-in browser: the cloud it manages and its CSRF
// token. The cloud's key and secret stay in the configuration; a session
// holds neither.
type session struct {
	id      string
	cloud   string
	csrf    string
	created time.Time
}

// sessions are the signed-in browsers, in memory, bounded in count (the
// oldest signed out first) and in age.
//
// Locking: mu guards byID.
type sessions struct {
	maxAge time.Duration
	max    int

	mu   sync.Mutex
	byID map[string]*session
}

func newSessions(maxAge time.Duration, max int) *sessions {
	return &sessions{maxAge: maxAge, max: max, byID: map[string]*session{}}
}

// randomToken is 32 random bytes in hex.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// create signs a browser in to cloud.
func (s *sessions) create(cloud string, now time.Time) *session {
	ss := &session{id: randomToken(), cloud: cloud, csrf: randomToken(), created: now}
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, o := range s.byID {
		if now.Sub(o.created) > s.maxAge {
			delete(s.byID, id)
		}
	}
	for len(s.byID) >= s.max {
		var oldest *session
		for _, o := range s.byID {
			if oldest == nil || o.created.Before(oldest.created) {
				oldest = o
			}
		}
		delete(s.byID, oldest.id)
	}
	s.byID[ss.id] = ss
	return ss
}

// get returns the live session of id; nil when unknown or expired.
func (s *sessions) get(id string, now time.Time) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := s.byID[id]
	if ss == nil {
		return nil
	}
	if now.Sub(ss.created) > s.maxAge {
		delete(s.byID, id)
		return nil
	}
	return ss
}

// remove signs a session out.
func (s *sessions) remove(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.byID, id)
}

// tokenEqual compares two tokens in constant time; empty never matches.
func tokenEqual(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
