"""A washing service that answers from a set: the DNCR client tests name in VOQO_DNCR_CLIENT."""

from voqo.providers.dncr import DncrClient, WashAnswer


class FakeDncrClient(DncrClient):
    name = "Fake register"
    washes_directly = True
    registered: set[str] = set()
    washed: list[list[str]] = []  # every request, in order

    def wash(self, phones: list[str]) -> list[WashAnswer]:
        FakeDncrClient.washed.append(list(phones))
        return [WashAnswer(phone, phone in self.registered) for phone in phones]
