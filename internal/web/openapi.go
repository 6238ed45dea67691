package web

import (
	_ "embed"

	"github.com/gofiber/fiber/v2"
)

// openapiSpec is written by hand next to the routes it describes; a test
// fails when a route exists that the spec does not describe, or the reverse.
//
//go:embed openapi.json
var openapiSpec []byte

func (s *Server) openapi(c *fiber.Ctx) error {
	c.Type("json", "utf-8")
	return c.Send(openapiSpec)
}
