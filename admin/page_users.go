package admin

import (
	"cardbot"

	"github.com/gofiber/fiber/v2"
)

type userRow struct {
	Name   string
	Role   cardbot.Role
	Config bool // listed in config.yaml
}

type usersData struct {
	Users []userRow
	Error string
	Name  string
}

func (p *Page) usersData(c *fiber.Ctx) (usersData, error) {
	var d usersData
	for _, u := range p.cfg().Admin.Users {
		d.Users = append(d.Users, userRow{Name: u.Name, Role: u.Role, Config: true})
	}
	err := p.store().View(c.UserContext(), func(tx cardbot.Tx) error {
		users, err := tx.Users()
		for _, u := range users {
			d.Users = append(d.Users, userRow{Name: u.Name, Role: u.Role})
		}
		return err
	})
	return d, err
}

func (p *Page) users(c *fiber.Ctx) error {
	d, err := p.usersData(c)
	if err != nil {
		return err
	}
	return p.renderSaved(c, "users", "Users", d)
}

// createUser adds a user, or sets a new password and role for an existing database user.
func (p *Page) createUser(c *fiber.Ctx) error {
	name, role := c.FormValue("name"), cardbot.Role(c.FormValue("role"))
	_, err := CreateUser(c.UserContext(), p.store(), p.cfg(), name, c.FormValue("password"), role, p.now())
	msg, err := refused(err)
	if err != nil {
		return err
	}
	if msg != "" {
		d, err := p.usersData(c)
		if err != nil {
			return err
		}
		d.Error, d.Name = msg, name
		c.Status(fiber.StatusBadRequest)
		return p.render(c, "users", "Users", d)
	}
	p.log().Info("admin: user saved", "user", name, "role", role, "by", whoOf(c).name)
	return c.Redirect("/admin/users?done=1", fiber.StatusSeeOther)
}
