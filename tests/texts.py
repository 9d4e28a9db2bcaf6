"""Small hand-written news texts for tests: a source, a paraphrase, a translation and an
independent same-story text, in English and Italian (fictional events, not the seeds)."""

SOURCE_EN = """Floods hit Riverton as the Elm river bursts its banks
Heavy rain on Tuesday pushed the Elm river over its banks, flooding more than 300 homes in Riverton, officials said.
Mayor Janet Okafor declared a state of emergency and asked the national guard for 40 boats.
The county opened three shelters in school gymnasiums, which housed 1,200 people overnight.
Forecasters at the regional weather office expect another 80 millimetres of rain before Friday.
Insurers estimate the damage at 45 million dollars, the chamber of commerce said.
"""

REWRITE_EN = """Riverton under water after the Elm overflows
More than 300 houses in Riverton were flooded after Tuesday's downpour sent the Elm river over its banks.
A state of emergency was declared by mayor Janet Okafor, who requested 40 boats from the national guard.
Three school gymnasiums were turned into county shelters, hosting 1,200 residents for the night.
The regional weather office forecasts a further 80 millimetres of rain by Friday.
According to the chamber of commerce, insurers put the damage at 45 million dollars.
"""

# Same event, written independently: shares the story's vocabulary, not its sentences.
INDEPENDENT_EN = """Riverton residents count the cost of the flood
Volunteers spent Wednesday clearing mud from the main street of Riverton after the flood.
Many shop owners said they had never seen the river so high in forty years.
Local churches collected blankets and food for families who lost their homes.
The town council will meet next week to discuss new flood defences along the river.
Some residents criticised the slow response and asked why warnings came so late.
"""

SOURCE_IT = """Alluvione a Borgoverde, il fiume Tasso esce dagli argini
Le piogge di martedì hanno fatto esondare il fiume Tasso, allagando più di 300 abitazioni a Borgoverde.
La sindaca Giulia Ferri ha dichiarato lo stato di emergenza e ha chiesto 40 gommoni alla protezione civile.
La provincia ha aperto tre centri di accoglienza nelle palestre scolastiche, che hanno ospitato 1.200 persone.
I meteorologi prevedono altri 80 millimetri di pioggia entro venerdì.
Le assicurazioni stimano danni per 45 milioni di euro, secondo la camera di commercio.
"""

REWRITE_IT = """Borgoverde sott'acqua dopo l'esondazione del Tasso
Oltre 300 case allagate a Borgoverde dopo che la pioggia di martedì ha fatto uscire il Tasso dagli argini.
Stato di emergenza dichiarato dalla sindaca Giulia Ferri, che ha domandato alla protezione civile 40 gommoni.
Tre palestre scolastiche sono diventate centri di accoglienza della provincia, con 1.200 ospiti.
Secondo i meteorologi cadranno altri 80 millimetri di pioggia prima di venerdì.
Per la camera di commercio i danni stimati dalle assicurazioni ammontano a 45 milioni di euro.
"""

INDEPENDENT_IT = """Borgoverde, la conta dei danni dopo l'alluvione
Mercoledì i volontari hanno spalato il fango dalla strada principale di Borgoverde.
Molti commercianti raccontano di non aver mai visto il fiume così alto in quarant'anni.
Le parrocchie hanno raccolto coperte e cibo per le famiglie rimaste senza casa.
Il consiglio comunale si riunirà la prossima settimana per discutere nuovi argini.
Alcuni residenti hanno criticato i ritardi nei soccorsi e negli avvisi.
"""

TRANSLATION_IT = """Alluvione a Riverton, il fiume Elm esce dagli argini
Le forti piogge di martedì hanno fatto esondare il fiume Elm, allagando oltre 300 case a Riverton, secondo le autorità.
La sindaca Janet Okafor ha dichiarato lo stato di emergenza e ha chiesto 40 barche alla Guardia Nazionale.
La contea ha aperto tre rifugi nelle palestre delle scuole, dove hanno dormito 1.200 persone.
I meteorologi prevedono altri 80 millimetri di pioggia prima di venerdì.
Le assicurazioni stimano i danni in 45 milioni di dollari, ha detto la camera di commercio.
"""

# (language, text) of the stories above, and an empty document (no passages)
LANGUAGE_TEXTS = [
    ("en", SOURCE_EN),
    ("en", REWRITE_EN),
    ("it", SOURCE_IT),
    ("it", REWRITE_IT),
    ("it", TRANSLATION_IT),
    ("en", INDEPENDENT_EN),
    ("it", INDEPENDENT_IT),
    ("en", ""),  # no passages at all
]
