package adminui

import "github.com/smsgw/smsgw/configs"

// Role is what a user may do; each role may do everything the roles
// below it may.
type Role int

// The roles, from least to most allowed.
const (
	RoleViewer   Role = iota + 1 // reads every page
	RoleOperator                 // also sends, retries and cancels messages
	RoleAdmin                    // also manages opt-outs
)

// ParseRole reads a configured role name; "" is viewer. An unknown name
// is no role at all (0), which allows nothing.
func ParseRole(name string) Role {
	switch name {
	case "", configs.RoleViewer:
		return RoleViewer
	case configs.RoleOperator:
		return RoleOperator
	case configs.RoleAdmin:
		return RoleAdmin
	}
	return 0
}

// String returns "viewer", "operator" or "admin".
func (r Role) String() string {
	switch r {
	case RoleViewer:
		return configs.RoleViewer
	case RoleOperator:
		return configs.RoleOperator
	case RoleAdmin:
		return configs.RoleAdmin
	}
	return "none"
}
